! parxz_mpi from Fortran (ISO_C_BINDING, built with mpif90): 4 ranks (any
! number works) write one .xz from their uneven slabs, then each reads its
! own slab back and checks it. Same data as example.c: byte i of the whole
! is mod(7 i + i / 13, 251).
!   mpirun -np 4 example_f90 OUT.xz
program parxz_mpi_example
  use, intrinsic :: iso_c_binding
  use mpi
  implicit none

  type, bind(c) :: parxz_mpi_options
    integer(c_int32_t) :: preset
    integer(c_int) :: check
    integer(c_int32_t) :: threads
    integer(c_int64_t) :: block_size
  end type

  interface
    subroutine parxz_mpi_options_init(o) bind(c)
      import :: parxz_mpi_options
      type(parxz_mpi_options), intent(out) :: o
    end subroutine
    integer(c_int) function parxz_mpi_compress_f(comm, path, data, size, o) &
        bind(c)
      import :: c_int, c_char, c_size_t, parxz_mpi_options
      integer(c_int), value :: comm
      character(kind=c_char), intent(in) :: path(*), data(*)
      integer(c_size_t), value :: size
      type(parxz_mpi_options), intent(in) :: o
    end function
    integer(c_int) function parxz_mpi_read_f(comm, path, offset, out, size, &
        got, threads) bind(c)
      import :: c_int, c_char, c_size_t, c_int64_t, c_int32_t
      integer(c_int), value :: comm
      character(kind=c_char), intent(in) :: path(*)
      integer(c_int64_t), value :: offset
      character(kind=c_char), intent(out) :: out(*)
      integer(c_size_t), value :: size
      integer(c_size_t), intent(out) :: got
      integer(c_int32_t), value :: threads
    end function
  end interface

  integer :: ierr, rank, nranks, r, status
  integer(c_int64_t) :: start, i
  integer(c_size_t) :: n, got
  character(kind=c_char), allocatable :: slab(:), back(:)
  character(len=4096) :: arg
  type(parxz_mpi_options) :: o

  call MPI_Init(ierr)
  call MPI_Comm_rank(MPI_COMM_WORLD, rank, ierr)
  call MPI_Comm_size(MPI_COMM_WORLD, nranks, ierr)
  call get_command_argument(1, arg)
  status = 0

  start = 0
  do r = 0, rank - 1
    start = start + 100000 + 37777 * r
  end do
  n = 100000 + 37777 * rank
  allocate(slab(n), back(n))
  do i = 0, int(n, c_int64_t) - 1
    slab(i + 1) = achar(mod(7 * (start + i) + (start + i) / 13, 251_c_int64_t))
  end do

  call parxz_mpi_options_init(o)
  o%preset = 6
  o%block_size = 65536
  o%check = 10  ! SHA-256
  if (parxz_mpi_compress_f(MPI_COMM_WORLD, trim(arg) // c_null_char, slab, &
      n, o) /= 0) then
    print '(a,i0,a)', 'rank ', rank, ': compress failed'
    status = 1
  end if
  if (status == 0) then
    if (parxz_mpi_read_f(MPI_COMM_WORLD, trim(arg) // c_null_char, start, &
        back, n, got, 1_c_int32_t) /= 0) then
      print '(a,i0,a)', 'rank ', rank, ': read failed'
      status = 1
    else if (got /= n .or. any(back /= slab)) then
      print '(a,i0,a)', 'rank ', rank, ': slab read back differs'
      status = 1
    else
      print '(a,i0,a,i0,a)', 'rank ', rank, ': ', n, ' bytes written and read back'
    end if
  end if
  call MPI_Finalize(ierr)
  if (status /= 0) stop 1
end program
